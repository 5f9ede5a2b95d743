package dev.rewind.dsf.ui;

import java.io.OutputStream;

import org.eclipse.ui.console.ConsolePlugin;
import org.eclipse.ui.console.IConsole;
import org.eclipse.ui.console.MessageConsole;

/** The guest's UART output while it is being recorded, in a Console view page of its own. */
public final class UartConsole {

    private UartConsole() {
    }

    /** A stream into a new console named after the program (the Console view shows it on demand). */
    public static OutputStream forProgram(String programName) {
        MessageConsole console = new MessageConsole("Rewind recording: " + programName + " (UART)", null);
        ConsolePlugin.getDefault().getConsoleManager().addConsoles(new IConsole[] {console});
        return console.newMessageStream();
    }
}
