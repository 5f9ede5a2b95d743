package dev.rewind.symbols;

/**
 * One debugging information entry as read: its tag and, per attribute of its abbreviation, the
 * form and the value (a number, an inline string, or an expression block; other forms skipped).
 */
record Die(long offset, int tag, boolean children, int[] attrs, int[] forms, long[] nums, String[] strs,
        byte[][] blocks) {

    /** Index of {@code attr} among the attributes, or -1. */
    int find(int attr) {
        for (int i = 0; i < attrs.length; i++) {
            if (attrs[i] == attr) {
                return i;
            }
        }
        return -1;
    }

    int form(int i) {
        return forms[i];
    }

    long num(int i) {
        return nums[i];
    }

    byte[] block(int i) {
        return blocks[i];
    }

    /** The value of {@code attr} when it is a constant form, or {@code absent}. */
    long constant(int attr, long absent) {
        int i = find(attr);
        return i >= 0 && DwarfForm.isConstant(forms[i]) ? nums[i] : absent;
    }
}
