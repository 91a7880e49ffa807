-- Every value kind in every output mode, with headers on and off, and a NULL text.
create table v(kind, val);
insert into v values('int', 42), ('max', 9223372036854775807), ('min', -9223372036854775808);
insert into v values('huge', 12345678901234567890), ('negzero', -0.0), ('big', 1.0e+301);
insert into v values('tiny', 4.9e-324), ('third', 1.0/3), ('inf', 1e308*10), ('ninf', -1e308*10);
insert into v values('integral', 4261760067104475.0), ('tie', 100000000000000.5);
insert into v values('blob', x'00ff41'), ('textblob', x'414243'), ('empty', x'');
insert into v values('text', 'it''s "q" | a,b'), ('nl', 'two
lines'), ('uni', 'ünï ✓'), ('null', NULL), ('emptytext', '');
.nullvalue (nil)
.mode list
select * from v;
.mode csv
select * from v;
.mode tabs
select * from v;
.mode line
select * from v;
.mode column
select * from v;
.mode box
select * from v;
.mode table
select * from v;
.mode markdown
select * from v;
.mode json
select * from v;
.mode insert
select * from v;
.mode quote
select * from v;
.mode ascii
select * from v;
.headers on
.mode list
select * from v;
.mode csv
select * from v;
.mode tabs
select * from v;
.mode line
select * from v where rowid < 4;
.mode column
select * from v;
.mode box
select * from v where rowid < 4;
.mode table
select * from v where rowid < 4;
.mode markdown
select * from v where rowid < 4;
.mode json
select * from v where rowid < 4;
.mode insert
select * from v;
.mode quote
select * from v;
.mode ascii
select * from v where rowid < 4;
