package dev.rewind.debug.core.launch;

import java.nio.charset.StandardCharsets;

import org.eclipse.debug.core.model.IStreamMonitor;
import org.eclipse.debug.core.model.IStreamsProxy2;

/** The console side of a recording: guest output, Rewind's own messages, typed input to the UART. */
public final class UartStreams implements IStreamsProxy2 {

    private final TextStreamMonitor out = new TextStreamMonitor();
    private final TextStreamMonitor err = new TextStreamMonitor();
    private final TypedInput input = new TypedInput();
    private final UartOutput uart = new UartOutput(out);

    TypedInput input() {
        return input;
    }

    UartOutput uart() {
        return uart;
    }

    /** A message from Rewind itself (shown in the error colour, apart from the guest's output). */
    void message(String text) {
        err.append(text);
    }

    @Override
    public IStreamMonitor getOutputStreamMonitor() {
        return out;
    }

    @Override
    public IStreamMonitor getErrorStreamMonitor() {
        return err;
    }

    @Override
    public void write(String text) {
        input.type(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void closeInputStream() {
        input.close();
    }
}
