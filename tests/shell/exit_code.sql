-- .exit CODE ends the run with that status, even after an error.
select 1;
select * from missing;
.exit 3
select 'never printed';
