/* dedup — payload digests per job (docs/daemon.md, Recrawls): a WARC
 * job's page whose final response has a payload the job recorded in full
 * before (the same SHA-1, at this URL in an earlier recrawl-linked fetch
 * or at another URL) keeps a revisit record of the identical-payload-digest
 * profile instead of a second full response record. The digests live in
 * the store (store_digest_put/get): bounded by the job's pages, indexed by
 * (job, digest), committed with the page's record, kept across restarts. */
#ifndef CRAWLD_DEDUP_H
#define CRAWLD_DEDUP_H

#include "store.h"
#include "warc.h"
#include "wire.h"

/* For a page's result r of job job_id (in the open group): 0 when its
 * records stay as they are (no digest, a digest new to the job, now
 * stored, or records that cannot be read back); 1 when the payload was
 * recorded before: *recs (the process allocator; warc_buf_release) then
 * holds r's WARC records with the final response replaced by the revisit
 * record, and *field the record line's addition
 * (,"identical_payload":true,"refers_to_url":…,"refers_to_date":…);
 * -1 on a store error (store_errmsg), nothing in either. */
int dedup_page(store *st, long long job_id, const frame_result *r, warc_buf *recs, warc_buf *field);

#endif
