package dev.rewind.debug.core.model;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.sourcelookup.AbstractSourceLookupDirector;
import org.eclipse.debug.core.sourcelookup.AbstractSourceLookupParticipant;
import org.eclipse.debug.core.sourcelookup.ISourceLookupParticipant;

/** Finds the C source of a Rewind stack frame by the path its DWARF line table names. */
public final class RewindSourceLookupDirector extends AbstractSourceLookupDirector {

    @Override
    public void initializeParticipants() {
        addParticipants(new ISourceLookupParticipant[] {new FrameSourceParticipant()});
    }

    static final class FrameSourceParticipant extends AbstractSourceLookupParticipant {
        @Override
        public String getSourceName(Object object) throws CoreException {
            return object instanceof ReplayStackFrame f ? f.sourcePath() : null;
        }
    }
}
