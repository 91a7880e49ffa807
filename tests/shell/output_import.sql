-- .output FILE writes results to a file, .output alone goes back to stdout; .import reads
-- that file back as CSV (quoted commas, doubled quotes, newlines inside quotes).
.mode csv
.headers on
.output /tmp/concur-golden-output-import.csv
select 'a,b' as first, 'say "hi"' as second, 'multi
line' as third, 3 as n;
select 'plain', '', ' spaced ', 4;
.output
select 'back on stdout';
.import /tmp/concur-golden-output-import.csv imported
.mode quote
select * from imported;
.headers off
.mode csv
.import /tmp/concur-golden-output-import.csv imported
.mode quote
select count(*), typeof(n) from imported group by 2;
.schema imported
.import /nonexistent/file.csv nope
.import
.import /tmp/concur-golden-output-import.csv
.import a b c
.import --frob a b
.import -frob a b
