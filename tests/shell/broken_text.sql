-- Text whose bytes are not UTF-8 prints byte for byte, in every mode.
CREATE TABLE t(id INTEGER PRIMARY KEY, s TEXT);
INSERT INTO t VALUES (1, CAST(x'61ff62' AS TEXT)), (2, CAST(x'80c3' AS TEXT)), (3, 'ok');
SELECT s, quote(s), hex(s), length(s) FROM t;
.mode quote
SELECT * FROM t;
.mode json
SELECT * FROM t;
.mode insert
SELECT * FROM t;
.mode csv
SELECT * FROM t;
.mode line
SELECT s FROM t;
.mode list
.dump
