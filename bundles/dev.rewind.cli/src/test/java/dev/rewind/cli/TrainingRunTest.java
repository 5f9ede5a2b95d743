package dev.rewind.cli;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class TrainingRunTest {

    @Test
    public void everyTrainingCommandSucceedsSoTheCacheCoversThem() throws Exception {
        assertEquals(0, TrainingRun.train(RunCommandTest.guest("rv64i")));
    }
}
