package org.herd.node.protocol;

import org.herd.stream.model.Location;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class RepliesTest {

    @Test
    void anAtLineHasTheNodeTheSkewAndTheFieldsExactlyAsWritten() {
        Command.Iamat iamat = (Command.Iamat) LineParser.parse("IAMAT  kiwi  +34.06893-118.445127\t1621464827.9594985 ");
        Location stored = iamat.receivedAt(Instant.ofEpochSecond(1621464828, 0)).toLocation("Welsh");
        assertThat(Replies.at(stored)).isEqualTo("AT Welsh +0.040501500 kiwi +34.06893-118.445127 1621464827.9594985");
        assertThat(stored.at()).as("the stored AT line, for readers before the skew field").isEqualTo(Replies.at(stored));
    }

    @Test
    void aRecordWrittenBeforeTheSkewFieldIsAnsweredAsBefore() {
        Location old = new Location("kiwi", "+1+1", 1, 1, "99", "Alford", "AT Alford +1.000000001 kiwi +1+1 99", null);
        assertThat(Replies.at(old)).isEqualTo("AT Alford +1.000000001 kiwi +1+1 99");
    }
}
