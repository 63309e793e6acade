package dev.concord.consumer.feed;

import dev.concord.consumer.store.ChangeSequence;
import dev.concord.contract.retry.Backoff;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises the {@link ChangeNotifier} for commits made by <em>any</em> instance applying into this store:
 * it {@code LISTEN}s on {@link ChangeSequence#CHANNEL}, which is told the feed's head whenever an
 * instance raises it. Without it an instance's feeds would only wake for its own commits,
 * which is all there is when one instance applies (the applier also raises the notifier directly).
 *
 * <p>On its own connection, outside the pool (a listening session must stay open). On every
 * (re)connect it raises the notifier to the feed's head, covering what was committed while it
 * was not listening; connection failures are retried with back-off (1 s … 30 s).
 */
public final class CommitListener implements AutoCloseable {

    /** Opens the listening connection. */
    public interface Connector {
        Connection connect() throws SQLException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(CommitListener.class);
    private static final int WAIT_MILLIS = 500;
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration LAST_RETRY = Duration.ofSeconds(30);

    private final Connector connector;
    private final ChangeNotifier notifier;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean listening;

    public CommitListener(Connector connector, ChangeNotifier notifier) {
        this.connector = connector;
        this.notifier = notifier;
        this.thread = new Thread(this::run, "change-listener");
        this.thread.setDaemon(true);
    }

    public CommitListener start() {
        thread.start();
        return this;
    }

    /** Whether the listening session is open (false while reconnecting). */
    public boolean listening() {
        return listening;
    }

    private void run() {
        Backoff retry = new Backoff(FIRST_RETRY, LAST_RETRY);
        while (running) {
            try (Connection connection = connector.connect()) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + ChangeSequence.CHANNEL);
                }
                notifier.committed(ChangeSequence.head(connection));
                listening = true;
                retry.reset();
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(WAIT_MILLIS);
                    if (notifications != null) {
                        for (PGNotification notification : notifications) {
                            notifier.committed(Long.parseLong(notification.getParameter()));
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                listening = false;
                if (running) {
                    Duration retryIn = retry.next();
                    LOG.warn("Not listening for commits of other instances ({}); feeds still wake on this instance's own "
                            + "commits; retrying in {} s", e.getMessage(), retryIn.toSeconds());
                    awaitStopOr(retryIn);
                }
            }
        }
        listening = false;
    }

    private void awaitStopOr(Duration timeout) {
        try {
            stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        stopped.countDown();
        thread.join(WAIT_MILLIS * 4L);
    }
}
