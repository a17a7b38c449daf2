package io.tally.worker.batch;

/**
 * A batch cannot be decided on cached state alone (a license not cached, a management command, a device or feature
 * written); thrown before anything is written, so that the batch is decided again after reading and locking.
 */
final class NotDecidableOnCache extends RuntimeException {

    NotDecidableOnCache() {
        super(null, null, false, false);
    }
}
