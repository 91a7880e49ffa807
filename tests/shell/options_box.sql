select 1 as one, 'two' as two;
