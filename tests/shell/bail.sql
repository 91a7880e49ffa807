select 1;
select * from nope;
select 2;
