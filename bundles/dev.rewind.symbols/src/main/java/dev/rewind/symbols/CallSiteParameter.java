package dev.rewind.symbols;

/**
 * What a caller passed in a register at a call (DW_TAG_call_site_parameter): the register and
 * an expression for its value, evaluated in the caller's frame. It is how DW_OP_entry_value
 * recovers a parameter that optimized code no longer keeps.
 */
record CallSiteParameter(int register, byte[] value, UnitContext unit) {
}
