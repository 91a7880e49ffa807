select 1 as one, NULL as two, 'x' as three;
