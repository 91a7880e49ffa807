create table w(name, note);
insert into w values('short','a'),('a much longer name','multi
line
cell'),('tabs','x	y	z'),('ünïcödé','✓✓'),(NULL, 1.5);
.nullvalue NULL
.mode column
select * from w;
.headers off
select * from w;
.headers on
.mode box
select * from w;
.mode table
select * from w;
.mode markdown
select * from w;
.mode box --wrap 5
select * from w;
.mode table --wrap 6 --wordwrap on
select 'the quick brown fox jumps' as words, 1 as n;
.mode column --quote
select * from w;
.mode qbox
select * from w;
.mode
.mode box
select 1 where 0;
select 'a' as x, 'bb' as "a long header";
select 'crlf' || char(13,10) || 'end' as v;
