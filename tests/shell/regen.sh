#!/bin/sh
# Records the expected output of every golden script from sqlite3 3.40.1:
# NAME.sql is fed on stdin, NAME.args (one argument per line, @DIR@ = this directory) are
# passed first; stdout, stderr and the exit status go to NAME.out, NAME.err, NAME.code.
# Run from anywhere; then `git diff tests/shell` shows what changed.
set -u
dir=$(cd "$(dirname "$0")" && pwd)
sqlite=${SQLITE3:-/usr/bin/sqlite3}
case "$("$sqlite" -version)" in
  3.40.1*) ;;
  *) echo "regen.sh: expected sqlite3 3.40.1 at $sqlite" >&2; exit 1 ;;
esac
cd "$dir"
for script in *.sql; do
  name=${script%.sql}
  set --
  if [ -f "$name.args" ]; then
    while IFS= read -r arg; do
      [ -n "$arg" ] && set -- "$@" "$(printf '%s' "$arg" | sed "s#@DIR@#$dir#g")"
    done < "$name.args"
  fi
  "$sqlite" "$@" < "$script" > "$name.out" 2> "$name.err"
  echo $? > "$name.code"
done
