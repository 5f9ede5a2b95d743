package dev.rewind.symbols;

import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates the DWARF location expressions gcc emits for variables (DWARF 5 section 2.5 and
 * 2.6): addresses, frame-base and register-relative addresses, register locations, constants
 * and stack values. Anything else (pieces, entry values, typed stack operations) makes the
 * location unavailable rather than wrong.
 */
final class DwarfExpression {
    private static final int MAX_STACK = 64;
    private static final int MAX_STEPS = 1000;

    /** The machine state an expression may read. */
    interface Frame {
        /** The register's value in this frame, or null when it is not known there. */
        Long register(int number);

        /** The frame's canonical frame address, or null when no CFI gave one. */
        Long cfa();

        MemoryReader memory();

        /**
         * The value {@code register} had when the frame's function was entered, recovered from
         * the caller's call site (DW_OP_entry_value), or null when it cannot be.
         */
        default Long entryValue(int register) {
            return null;
        }
    }

    /** What an expression may need from its compilation unit. */
    interface Unit {
        int addressSize();

        long indexedAddress(long index) throws SymbolsException;
    }

    private DwarfExpression() {
    }

    /**
     * Evaluates {@code expr}. {@code frameBase} is the function's DW_AT_frame_base expression
     * (for DW_OP_fbreg), or null.
     */
    static Location evaluate(byte[] expr, byte[] frameBase, Frame frame, Unit unit) {
        try {
            return run(expr, frameBase, frame, unit, 0);
        } catch (SymbolsException e) {
            return Location.UNAVAILABLE; // truncated or malformed expression
        }
    }

    private static Location run(byte[] expr, byte[] frameBase, Frame frame, Unit unit, int depth)
            throws SymbolsException {
        if (expr == null || expr.length == 0) {
            return Location.UNAVAILABLE;
        }
        ByteCursor c = new ByteCursor(expr, "location expression");
        long[] stack = new long[MAX_STACK];
        int sp = 0;
        Location result = null;
        List<Location.Piece> pieces = new ArrayList<>();
        for (int steps = 0; !c.atEnd(); steps++) {
            if (steps > MAX_STEPS || sp >= MAX_STACK - 1) {
                return Location.UNAVAILABLE;
            }
            int op = c.u8();
            if (op == 0x93) { // DW_OP_piece: the location so far holds the next size bytes
                long size = c.uleb();
                Location part = result != null ? result : sp >= 1 ? Location.memory(stack[sp - 1])
                        : Location.UNAVAILABLE;
                if (size <= 0 || size > 4096 || pieces.size() >= 64) {
                    return Location.UNAVAILABLE;
                }
                pieces.add(new Location.Piece(part, size));
                result = null;
                sp = 0;
                continue;
            }
            if (result != null) {
                return Location.UNAVAILABLE; // operations after a register or value location
            }
            if (op >= 0x30 && op <= 0x4f) { // DW_OP_lit0..31
                stack[sp++] = op - 0x30;
                continue;
            }
            if (op >= 0x50 && op <= 0x6f) { // DW_OP_reg0..31
                result = Location.register(op - 0x50);
                continue;
            }
            if (op >= 0x70 && op <= 0x8f) { // DW_OP_breg0..31
                Long r = frame.register(op - 0x70);
                if (r == null) {
                    return Location.UNAVAILABLE;
                }
                stack[sp++] = r + c.sleb();
                continue;
            }
            switch (op) {
                case 0x03: stack[sp++] = c.unsigned(unit.addressSize()); break; // addr
                case 0x06: { // deref
                    if (sp < 1) {
                        return Location.UNAVAILABLE;
                    }
                    var v = frame.memory().read(stack[sp - 1], 8);
                    if (v.isEmpty()) {
                        return Location.UNAVAILABLE;
                    }
                    stack[sp - 1] = v.getAsLong();
                    break;
                }
                case 0x08: stack[sp++] = c.u8(); break;
                case 0x09: stack[sp++] = c.s8(); break;
                case 0x0a: stack[sp++] = c.u16(); break;
                case 0x0b: stack[sp++] = (short) c.u16(); break;
                case 0x0c: stack[sp++] = c.u32(); break;
                case 0x0d: stack[sp++] = (int) c.u32(); break;
                case 0x0e: case 0x0f: stack[sp++] = c.u64(); break;
                case 0x10: stack[sp++] = c.uleb(); break;
                case 0x11: stack[sp++] = c.sleb(); break;
                case 0x12: // dup
                    if (sp < 1) {
                        return Location.UNAVAILABLE;
                    }
                    stack[sp] = stack[sp - 1];
                    sp++;
                    break;
                case 0x13: // drop
                    if (sp < 1) {
                        return Location.UNAVAILABLE;
                    }
                    sp--;
                    break;
                case 0x1a: case 0x1c: case 0x1e: case 0x21: case 0x22: case 0x24: case 0x25: case 0x27: {
                    if (sp < 2) {
                        return Location.UNAVAILABLE;
                    }
                    long b = stack[--sp];
                    long a = stack[sp - 1];
                    long r;
                    switch (op) {
                        case 0x1a: r = a & b; break;
                        case 0x1c: r = a - b; break;
                        case 0x1e: r = a * b; break;
                        case 0x21: r = a | b; break;
                        case 0x22: r = a + b; break;
                        case 0x24: r = a << b; break;
                        case 0x25: r = a >>> b; break;
                        default: r = a ^ b; break;
                    }
                    stack[sp - 1] = r;
                    break;
                }
                case 0x1f: // neg
                    if (sp < 1) {
                        return Location.UNAVAILABLE;
                    }
                    stack[sp - 1] = -stack[sp - 1];
                    break;
                case 0x23: // plus_uconst
                    if (sp < 1) {
                        return Location.UNAVAILABLE;
                    }
                    stack[sp - 1] += c.uleb();
                    break;
                case 0x90: result = Location.register(c.ulebInt()); break; // regx
                case 0x91: { // fbreg
                    if (frameBase == null || depth > 0) {
                        return Location.UNAVAILABLE;
                    }
                    Location base = run(frameBase, null, frame, unit, depth + 1);
                    long offset = c.sleb();
                    if (base.kind() == Location.Kind.MEMORY) {
                        stack[sp++] = base.value() + offset;
                    } else if (base.kind() == Location.Kind.REGISTER) {
                        Long r = frame.register((int) base.value());
                        if (r == null) {
                            return Location.UNAVAILABLE;
                        }
                        stack[sp++] = r + offset;
                    } else {
                        return Location.UNAVAILABLE;
                    }
                    break;
                }
                case 0x92: { // bregx
                    Long r = frame.register(c.ulebInt());
                    if (r == null) {
                        return Location.UNAVAILABLE;
                    }
                    stack[sp++] = r + c.sleb();
                    break;
                }
                case 0x96: break; // nop
                case 0x9c: { // call_frame_cfa
                    Long cfa = frame.cfa();
                    if (cfa == null) {
                        return Location.UNAVAILABLE;
                    }
                    stack[sp++] = cfa;
                    break;
                }
                case 0x9e: { // implicit_value
                    long len = c.uleb();
                    if (len > 8) {
                        return Location.UNAVAILABLE;
                    }
                    long v = 0;
                    for (int i = 0; i < len; i++) {
                        v |= (long) c.u8() << (8 * i);
                    }
                    result = Location.value(v);
                    break;
                }
                case 0x9f: // stack_value
                    if (sp < 1) {
                        return Location.UNAVAILABLE;
                    }
                    result = Location.value(stack[sp - 1]);
                    break;
                case 0xa3: case 0xf3: { // entry_value, GNU_entry_value: of a register at function entry
                    byte[] sub = c.bytes(c.uleb());
                    int b0 = sub.length > 0 ? sub[0] & 0xff : 0;
                    int register;
                    if (sub.length == 1 && b0 >= 0x50 && b0 <= 0x6f) {
                        register = b0 - 0x50;
                    } else if (b0 == 0x90) {
                        register = new ByteCursor(sub, "entry value").fresh().ulebIntAfter(1);
                    } else {
                        return Location.UNAVAILABLE;
                    }
                    Long v = frame.entryValue(register);
                    if (v == null) {
                        return Location.UNAVAILABLE;
                    }
                    stack[sp++] = v;
                    break;
                }
                case 0xa1: stack[sp++] = unit.indexedAddress(c.uleb()); break; // addrx
                case 0xa2: stack[sp++] = unit.indexedAddress(c.uleb()); break; // constx
                default:
                    return Location.UNAVAILABLE; // piece, entry_value, typed ops, ...
            }
        }
        if (!pieces.isEmpty()) {
            return Location.composite(pieces);
        }
        if (result != null) {
            return result;
        }
        return sp >= 1 ? Location.memory(stack[sp - 1]) : Location.UNAVAILABLE;
    }
}
