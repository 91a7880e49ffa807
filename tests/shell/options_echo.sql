select 1;
  select 2;
.mode csv
select 3;
