package dev.rewind.symbols;

/**
 * One row of a decoded DWARF line-number matrix. An {@code endSequence} row marks the
 * first address after a sequence and carries no source position of its own.
 */
public record LineRow(long address, String path, int line, int column, boolean isStmt, boolean endSequence) {
}
