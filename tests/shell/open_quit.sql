-- .open without a file starts a new empty in-memory database; .quit stops reading input.
create table before_open(x);
insert into before_open values(1);
.tables
.open
.tables
select count(*) from sqlite_schema;
create table after_open(y);
.tables
.quit
select 'never printed';
