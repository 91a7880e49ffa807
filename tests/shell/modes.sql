create table t(a,b,c);
insert into t values(1,2.5,'x'),(NULL,0.1,X'00ff41'),('he said "hi"',-0.0,'a,b'),('tab	here',-3.75,'new
line'),('ünï',1e15,'it''s');
.headers on
.mode list
select * from t;
.mode csv
select * from t;
.mode tabs
select * from t;
.mode line
select * from t;
.mode column
select * from t;
.mode box
select * from t;
.mode table
select * from t;
.mode markdown
select * from t;
.mode json
select * from t;
.mode insert
select * from t;
.mode insert target
select * from t;
.mode quote
select * from t;
.mode ascii
select * from t;
.mode list
.headers off
select * from t;
.mode csv
select * from t;
.mode quote
select * from t;
.mode insert
select a, b as "select", c as "x y" from t;
.mode column
select * from t;
.mode off
select * from t;
.mode
.mode c
.mode
.mode bogus
.mode json
select 1 where 0;
select 1 as a union all select 2;
select x'0a1f5c22' as "q""k";
