package dev.rewind.dsf.launch;

import java.io.IOException;
import java.nio.file.Path;

import org.eclipse.core.runtime.CoreException;

import dev.rewind.debug.core.launch.LaunchSettings;
import dev.rewind.gdbstub.RspServer;
import dev.rewind.gdbstub.target.ReplayTarget;
import dev.rewind.replay.Timeline;
import dev.rewind.replay.ReplaySetupException;
import dev.rewind.replay.log.ReplayLogException;

/**
 * What {@code rewind gdbserver --replay RUN.rrlog} serves, inside Eclipse: the recording behind
 * a GDB remote protocol server on a free 127.0.0.1 port, forwards and backwards.
 */
final class InProcessGdbServer implements AutoCloseable {

    private final Timeline session;
    private final RspServer server;

    private InProcessGdbServer(Timeline session, RspServer server) {
        this.session = session;
        this.server = server;
    }

    static InProcessGdbServer serve(Path recording, long snapshotInterval) throws CoreException {
        Timeline session;
        try {
            session = Timeline.open(recording, Timeline.Options.defaults().withSnapshotInterval(snapshotInterval));
        } catch (ReplayLogException | ReplaySetupException e) {
            throw LaunchSettings.error("Cannot replay " + recording + ": " + e.getMessage());
        } catch (IOException e) {
            throw LaunchSettings.error("Cannot read " + recording + ": " + e.getMessage());
        }
        RspServer server = new RspServer(new ReplayTarget(session));
        try {
            server.start();
        } catch (IOException e) {
            server.close();
            closeQuietly(session);
            throw LaunchSettings.error("Cannot listen on 127.0.0.1 for gdb: " + e.getMessage());
        }
        return new InProcessGdbServer(session, server);
    }

    int port() {
        return server.port();
    }

    /** The program the recording was made of, as written in its header. */
    String recordedProgram() {
        return session.session().log().header().programPath();
    }

    @Override
    public void close() {
        server.close();
        closeQuietly(session);
    }

    private static void closeQuietly(Timeline s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing was written; closing a read-only replay cannot lose anything
        }
    }
}
