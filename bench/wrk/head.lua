-- HEAD (e.g. a blob). NOTE: wrk 4.1 cannot complete HEAD answers that carry a
-- Content-Length (wg/wrk#198: its parser waits for a body), so run.py does not
-- use this script; blob HEAD is measured with loadgen.run_pyload. Kept for
-- use with a wrk build that handles HEAD.
wrk.method = "HEAD"
