select 1;
.bail on
.nosuchcommand
select 2;
