create table t(a integer primary key autoincrement, b unique); -- c
create table "odd name"(x, "y z");
create index i on t(b);
create view v as select 1, b as bee from t;
create table c(x) -- trailing
;
insert into t(b) values (1),(2),('three');
insert into "odd name" values('a
b', x'0102'), (1.5, NULL);
.tables
.tables t%
.indexes
.indexes t
.schema
.schema t
.schema odd*
.dump
