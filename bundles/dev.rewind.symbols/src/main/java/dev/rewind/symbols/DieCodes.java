package dev.rewind.symbols;

/** The DW_TAG_, DW_AT_ and DW_UT_ codes the {@code .debug_info} readers act on (DWARF 5, section 7.5). */
final class DieCodes {
    static final int TAG_ARRAY = 0x01;
    static final int TAG_ENUMERATION = 0x04;
    static final int TAG_FORMAL_PARAMETER = 0x05;
    static final int TAG_LEXICAL_BLOCK = 0x0b;
    static final int TAG_MEMBER = 0x0d;
    static final int TAG_POINTER = 0x0f;
    static final int TAG_COMPILE_UNIT = 0x11;
    static final int TAG_STRUCTURE = 0x13;
    static final int TAG_SUBROUTINE_TYPE = 0x15;
    static final int TAG_TYPEDEF = 0x16;
    static final int TAG_UNION = 0x17;
    static final int TAG_INLINED_SUBROUTINE = 0x1d;
    static final int TAG_SUBRANGE = 0x21;
    static final int TAG_BASE_TYPE = 0x24;
    static final int TAG_CONST = 0x26;
    static final int TAG_ENUMERATOR = 0x28;
    static final int TAG_SUBPROGRAM = 0x2e;
    static final int TAG_VARIABLE = 0x34;
    static final int TAG_VOLATILE = 0x35;
    static final int TAG_RESTRICT = 0x37;
    static final int TAG_PARTIAL_UNIT = 0x3c;
    static final int TAG_ATOMIC = 0x47;
    static final int TAG_CALL_SITE = 0x48;
    static final int TAG_CALL_SITE_PARAMETER = 0x49;
    static final int TAG_SKELETON_UNIT = 0x4a;
    static final int TAG_GNU_CALL_SITE = 0x4109;
    static final int TAG_GNU_CALL_SITE_PARAMETER = 0x410a;

    static final int AT_LOCATION = 0x02;
    static final int AT_NAME = 0x03;
    static final int AT_BYTE_SIZE = 0x0b;
    static final int AT_BIT_OFFSET = 0x0c;
    static final int AT_BIT_SIZE = 0x0d;
    static final int AT_STMT_LIST = 0x10;
    static final int AT_LOW_PC = 0x11;
    static final int AT_HIGH_PC = 0x12;
    static final int AT_COMP_DIR = 0x1b;
    static final int AT_CONST_VALUE = 0x1c;
    static final int AT_PRODUCER = 0x25;
    static final int AT_UPPER_BOUND = 0x2f;
    static final int AT_ABSTRACT_ORIGIN = 0x31;
    static final int AT_COUNT = 0x37;
    static final int AT_DATA_MEMBER_LOCATION = 0x38;
    static final int AT_ENCODING = 0x3e;
    static final int AT_FRAME_BASE = 0x40;
    static final int AT_SPECIFICATION = 0x47;
    static final int AT_TYPE = 0x49;
    static final int AT_ENTRY_PC = 0x52;
    static final int AT_RANGES = 0x55;
    static final int AT_CALL_FILE = 0x58;
    static final int AT_CALL_LINE = 0x59;
    static final int AT_DATA_BIT_OFFSET = 0x6b;
    static final int AT_STR_OFFSETS_BASE = 0x72;
    static final int AT_ADDR_BASE = 0x73;
    static final int AT_RNGLISTS_BASE = 0x74;
    static final int AT_CALL_RETURN_PC = 0x7d;
    static final int AT_CALL_VALUE = 0x7e;
    static final int AT_LOCLISTS_BASE = 0x8c;
    static final int AT_GNU_CALL_SITE_VALUE = 0x2111;
    static final int AT_GNU_ADDR_BASE = 0x2133;

    static final int UT_COMPILE = 1;
    static final int UT_TYPE = 2;
    static final int UT_PARTIAL = 3;
    static final int UT_SKELETON = 4;
    static final int UT_SPLIT_COMPILE = 5;
    static final int UT_SPLIT_TYPE = 6;

    private DieCodes() {
    }
}
