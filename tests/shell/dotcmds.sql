.show
.headers on
.nullvalue <null>
.separator " :: "
select 1 as a, NULL as b;
.show
.separator | \n
.headers off
.echo on
select 2;

-- a comment while echoing
select 3; select 4;
.echo off
.changes on
create table t(a);
insert into t values(1),(2);
update t set a = a + 1;
select count(*) from t;
.changes off
delete from t;
.headers
.bail maybe
.nullvalue
.separator
.read /nonexistent/file.sql
.output /nonexistent/dir/out.txt
.mo list
select 'still here';
