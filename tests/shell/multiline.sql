-- comments, several statements per line, statements across lines
select 1; select 2;   select 3; -- trailing comment
select
  4
  ;
/* block
   comment */ select 5;
select 'a;b', "x" from (select 6 as "x");
create table t(a);
create table log(m);
create trigger tr after insert on t begin
  insert into log values('one');
  insert into log values('two');
end;
insert into t values(1);
select * from log;
select 7
go
select 8
/
# a hash comment line
select ';' ||
'--' || '/*'; select 9
;
    select 10;
select 11
