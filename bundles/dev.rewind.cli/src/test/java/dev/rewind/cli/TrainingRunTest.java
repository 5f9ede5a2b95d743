package dev.rewind.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;

import java.nio.file.Path;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class TrainingRunTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void everyFamilysTrainingCommandsSucceedInTheLaunchersOrderSoEachCacheCoversThem() throws Exception {
        Path dir = tmp.getRoot().toPath().resolve("training");
        for (String family : TrainingRun.FAMILIES) {
            assertEquals(family, 0, TrainingRun.train(family, dir, RunCommandTest.guest("rv64i")));
        }
        // replay trains on record's recording and records nothing itself: its cache stays lean
        for (String[] command : TrainingRun.commands("replay", dir, RunCommandTest.guest("rv64i"))) {
            assertNotEquals("record", command[0]);
        }
    }

    @Test
    public void replayTrainingRecordsItselfWhenRecordsRecordingIsMissing() throws Exception {
        assertEquals(0, TrainingRun.train("replay", tmp.getRoot().toPath(), RunCommandTest.guest("rv64i")));
    }
}
