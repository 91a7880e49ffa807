CREATE TABLE t(a,b);
INSERT INTO t VALUES(1,'x');
CREATE INDEX i ON t(b);
CREATE TABLE t_x(c);
INSERT INTO t_x VALUES(2);
CREATE TABLE u(z);
CREATE VIEW tv AS SELECT * FROM t;
CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;
CREATE TABLE w(id INTEGER PRIMARY KEY AUTOINCREMENT, v);
INSERT INTO w(v) VALUES (5);
.dump t
.dump T%
.dump t\_x
.dump i
.dump t u
.dump nosuch
.dump w
.dump sqlite_sequence
.dump 'it''s'
