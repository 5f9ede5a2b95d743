package dev.rewind.symbols;

/** The string sections DWARF forms point into: .debug_str and .debug_line_str (either may be absent). */
final class DwarfStrings {
    private final ByteCursor str;
    private final ByteCursor lineStr;

    DwarfStrings(ByteCursor str, ByteCursor lineStr) {
        this.str = str;
        this.lineStr = lineStr;
    }

    String strp(long offset) throws SymbolsException {
        if (str == null) {
            throw new SymbolsException("DW_FORM_strp used but the file has no .debug_str section");
        }
        return str.cstringAt(offset);
    }

    String lineStrp(long offset) throws SymbolsException {
        if (lineStr == null) {
            throw new SymbolsException("DW_FORM_line_strp used but the file has no .debug_line_str section");
        }
        return lineStr.cstringAt(offset);
    }
}
