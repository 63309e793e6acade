package dev.concord.replica.store;

/** The store could not be read or written; nothing of the failed operation was stored. */
public final class StoreException extends RuntimeException {

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
