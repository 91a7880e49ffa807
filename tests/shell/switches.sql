-- .timer off, .echo, .changes, .separator, .nullvalue and .show in combination.
.timer off
.timer
.timer maybe
select 'timer off';
.separator ;
select 1, 2;
.separator , "\n--\n"
select 3, 4;
select 5, 6;
.separator | \n
.nullvalue
select NULL, 'x';
.nullvalue NIL
select NULL, 'x';
.changes on
create table c(x);
insert into c values (1), (2), (3);
delete from c where x > 1;
select * from c;
.changes off
.echo on
select 'echoed';
.echo off
.show
