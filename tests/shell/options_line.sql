select 1 as one, 'two' as "second column";
select 3 as x;
