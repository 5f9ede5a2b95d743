package dev.rewind.replay.query;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

import dev.rewind.replay.ReplaySetupException;
import dev.rewind.replay.Timeline;

/**
 * Gets a recording's query index for the engine: opens the one saved beside the recording if it
 * belongs to it, else builds it (one replay of the whole recording in the engine's timeline) and
 * saves it, then opens what it saved (without an index file: a temporary one), so every index is
 * read the same way; when a part of an opened index turns out damaged, builds it again in a
 * timeline of its own. Says what became of the saved index in {@link #note}.
 */
final class IndexKeeper {

    private final Timeline session;
    private final IndexRecorder.UartTap tap;
    private final Path logFile;
    private final Timeline.Options options;
    private final Supplier<List<QueryEvent>> logEvents;
    /** Where the index is saved and read back, or null: built by every process. */
    Path indexFile;
    WriteLog.Budget budget = WriteLog.Budget.DEFAULT;
    /** What became of the saved index, in a sentence; null before the first {@link #get}. */
    String note;

    IndexKeeper(Timeline session, IndexRecorder.UartTap tap, Path logFile, Timeline.Options options,
            Supplier<List<QueryEvent>> logEvents) {
        this.session = session;
        this.tap = tap;
        this.logFile = logFile;
        this.options = options;
        this.logEvents = logEvents;
        this.indexFile = IndexFile.beside(logFile);
    }

    /** The saved index if it belongs to this recording, else one built now (and saved). */
    RecordingIndex get(Progress progress) {
        String key = null;
        if (indexFile != null) {
            try {
                key = key();
                if (Files.exists(indexFile)) {
                    RecordingIndex opened = open(indexFile, key);
                    note = "query index read from " + indexFile;
                    return opened;
                }
            } catch (IndexFile.Unusable e) {
                note = "query index " + indexFile + " " + e.getMessage() + "; built again";
            } catch (IOException e) {
                note = "query index " + indexFile + " cannot be read (" + e.getMessage() + "); built again";
            }
        }
        return save(key, IndexRecorder.build(session, tap, progress, budget));
    }

    /**
     * The index built again after {@code damage} was found in a part of the opened one: in a
     * timeline of its own, as the engine's console has seen the output the replay would echo, and
     * the index hears UART output through that echo.
     */
    RecordingIndex rebuild(IndexFile.DamagedPart damage, Progress progress) {
        note = "query index " + indexFile + " " + damage.getMessage() + "; built again";
        IndexRecorder.UartTap fresh = new IndexRecorder.UartTap();
        try (Timeline t = Timeline.open(logFile, options.withEcho(fresh))) {
            String key = indexFile == null ? null : key();
            return save(key, IndexRecorder.build(t, fresh, progress, budget));
        } catch (ReplaySetupException | IOException e) {
            throw new IllegalStateException("cannot replay the recording again to index it: " + e.getMessage(), e);
        }
    }

    private String key() throws IOException {
        return IndexFile.key(logFile, session.snapshotInterval(), budget);
    }

    private RecordingIndex open(Path file, String key) throws IOException, IndexFile.Unusable {
        IndexFile.Opened o = IndexFile.open(file, key);
        try {
            RecordingIndex r = RecordingIndex.read(o, session, logEvents);
            o = null;
            return r;
        } finally {
            if (o != null) {
                o.close();
            }
        }
    }

    private RecordingIndex save(String key, IndexRecorder built) {
        if (indexFile != null && key != null) {
            try {
                IndexFile.write(indexFile, key, built);
                note = (note == null ? "query index" : note + ";") + " saved to " + indexFile;
                return open(indexFile, key);
            } catch (IOException | IndexFile.Unusable | RuntimeException e) {
                note = (note == null ? "" : note + "; ") + "query index not saved to " + indexFile + ": " + e.getMessage();
            }
        }
        // no index file, or it could not be written: a temporary one, read the same way
        Path tmp = null;
        try {
            tmp = Files.createTempFile("rewind-query", IndexFile.SUFFIX);
            IndexFile.write(tmp, "temporary\n", built);
            return open(tmp, "temporary\n");
        } catch (IOException | IndexFile.Unusable e) {
            throw new IllegalStateException("cannot keep the query index in a temporary file: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp); // the mapping keeps its bytes
                } catch (IOException e) {
                    tmp.toFile().deleteOnExit();
                }
            }
        }
    }
}
