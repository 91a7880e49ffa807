.mode csv
.headers on
select 'plain' as p, 'a b' as s, '' as e, 'x,y' as c, 'q"q' as q, 'it''s' as a, 'é' as u, NULL as n, 1 as i, 2.0 as r;
select 'col one' as "a b", 'x#y!' as "c,d";
.separator ;
select 'a;b', 'c,d';
.separator , \n
select 1, 2;
.nullvalue N/A
select NULL;
