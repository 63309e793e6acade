package dev.concord.consumer.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ChangeNotifierTest {

    private final ChangeNotifier notifier = new ChangeNotifier();

    @Test
    void shouldWakeWaiterOnlyWhenSeqPassesWhatItSaw() {
        notifier.committed(5);
        CompletableFuture<Long> waiting = notifier.awaitAfter(5);

        notifier.committed(3); // lower: never moves the signal back
        assertThat(waiting).isNotDone();
        assertThat(notifier.latest()).isEqualTo(5);

        notifier.committed(8);
        assertThat(waiting).isCompletedWithValue(8L);
        assertThat(notifier.waiting()).isZero();
    }

    @Test
    void shouldAnswerAtOnceWhenSomethingCommittedSinceWaiterLooked() {
        notifier.committed(9);

        assertThat(notifier.awaitAfter(4)).isCompletedWithValue(9L);
        assertThat(notifier.waiting()).isZero();
    }

    @Test
    void shouldForgetWaiterThatGaveUp() {
        CompletableFuture<Long> waiting = notifier.awaitAfter(0);

        waiting.complete(-1L); // e.g. completeOnTimeout

        assertThat(notifier.waiting()).isZero();
    }

    @Test
    void shouldTellListenersEveryAdvanceUntilClosed() throws Exception {
        List<Long> heard = new ArrayList<>();
        AutoCloseable listening = notifier.listen(heard::add);

        notifier.committed(1);
        notifier.committed(2);
        listening.close();
        notifier.committed(3);

        assertThat(heard).containsExactly(1L, 2L);
    }
}
