select 1;
selec 2;
select * from nope;
create table t(a unique);
insert into t values(1);
insert into t values(1);
select 1 +;
  select nope
  from t;
select abs(-9223372036854775808);
select 1; select * from missing; select 3;
select x'zz';
select 'unterminated
