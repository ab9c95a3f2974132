-- Room on each page of `executions` for a new version of every row on it at once.
--
-- Executions are completed in about the order they were created (ids are UUIDv7, the queue is
-- FIFO), so one completion batch updates all the rows of a page in a single transaction: the old
-- versions cannot be pruned until it commits, and every row needs its new version on the same page
-- for the update to be HOT (no index touched). With fillfactor 80 there was room for about a
-- quarter of them: 26% of the updates in a single-step burn-down were HOT, and each of the others
-- wrote a new entry into all six indexes of `executions` (benches/README.md, 2026-12-07 late night).
-- Applies to pages written from now on.
ALTER TABLE executions SET (fillfactor = 45);
