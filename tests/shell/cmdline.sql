select 'stdin is not read when SQL is on the command line';
