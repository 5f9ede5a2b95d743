package dev.rewind.emulator;

import java.util.Arrays;

/**
 * The bytes of one JVM method body with forward and backward labels (16-bit branch offsets,
 * so a method stays below 32 KiB; {@link BlockTranslator} keeps far below that).
 */
final class CodeBuffer {
    // The opcodes used (JVMS 17 ch. 6).
    static final int ICONST_M1 = 0x02, ICONST_1 = 0x04, LCONST_0 = 0x09, LCONST_1 = 0x0a, BIPUSH = 0x10, SIPUSH = 0x11, LDC_W = 0x13, LDC2_W = 0x14;
    static final int ILOAD = 0x15, LLOAD = 0x16, ALOAD = 0x19, ISTORE = 0x36, LSTORE = 0x37, ASTORE = 0x3a;
    static final int LALOAD = 0x2f, BALOAD = 0x33, LASTORE = 0x50, BASTORE = 0x54;
    static final int POP = 0x57, POP2 = 0x58, DUP = 0x59, DUP2 = 0x5c, SWAP = 0x5f;
    static final int IADD = 0x60, LADD = 0x61, ISUB = 0x64, LSUB = 0x65, IMUL = 0x68, LMUL = 0x69;
    static final int ISHL = 0x78, LSHL = 0x79, ISHR = 0x7a, LSHR = 0x7b, IUSHR = 0x7c, LUSHR = 0x7d;
    static final int IAND = 0x7e, LAND = 0x7f, LOR = 0x81, LXOR = 0x83;
    static final int I2L = 0x85, L2I = 0x88, I2S = 0x93, IINC = 0x84;
    static final int LCMP = 0x94;
    static final int IFEQ = 0x99, IFNE = 0x9a, IFLT = 0x9b, IFGE = 0x9c, IFGT = 0x9d, IFLE = 0x9e;
    static final int IF_ICMPEQ = 0x9f, IF_ICMPNE = 0xa0, IF_ICMPLT = 0xa1, IF_ICMPGT = 0xa3;
    static final int GOTO = 0xa7, LRETURN = 0xad, RETURN = 0xb1, IFNULL = 0xc6;
    static final int GETFIELD = 0xb4, PUTFIELD = 0xb5, INVOKEVIRTUAL = 0xb6, INVOKESPECIAL = 0xb7, INVOKESTATIC = 0xb8;

    private byte[] code = new byte[1024];
    private int length;

    private int[] labelAt = new int[16];
    private int labels;
    /** Pending branches: position of the opcode and label number, pairs. */
    private int[] fixups = new int[32];
    private int fixupCount;

    int length() {
        return length;
    }

    private void put(int b) {
        if (length == code.length) {
            code = Arrays.copyOf(code, length * 2);
        }
        code[length++] = (byte) b;
    }

    void op(int opcode) {
        put(opcode);
    }

    void op(int opcode, int u1) {
        put(opcode);
        put(u1);
    }

    void opU2(int opcode, int u2) {
        put(opcode);
        put(u2 >>> 8);
        put(u2);
    }

    /** A local variable instruction, in its one-byte form for locals 0-3; indices above 255 are not needed here. */
    void local(int opcode, int index) {
        if (index > 255) {
            throw new IllegalArgumentException("local " + index);
        }
        if (index <= 3) {
            int first = switch (opcode) {
                case ILOAD -> 0x1a;
                case LLOAD -> 0x1e;
                case ALOAD -> 0x2a;
                case ISTORE -> 0x3b;
                case LSTORE -> 0x3f;
                case ASTORE -> 0x4b;
                default -> -1;
            };
            if (first >= 0) {
                op(first + index);
                return;
            }
        }
        op(opcode, index);
    }

    /** Adds a constant in -128..127 to an int local. */
    void iinc(int index, int delta) {
        if (index > 255 || delta != (byte) delta) {
            throw new IllegalArgumentException("iinc " + index + " " + delta);
        }
        put(IINC);
        put(index);
        put(delta);
    }

    int newLabel() {
        if (labels == labelAt.length) {
            labelAt = Arrays.copyOf(labelAt, labels * 2);
        }
        labelAt[labels] = -1;
        return labels++;
    }

    void place(int label) {
        labelAt[label] = length;
    }

    void jump(int opcode, int label) {
        if (fixupCount + 2 > fixups.length) {
            fixups = Arrays.copyOf(fixups, fixups.length * 2);
        }
        fixups[fixupCount++] = length;
        fixups[fixupCount++] = label;
        put(opcode);
        put(0);
        put(0);
    }

    /** The finished method body with every branch resolved. */
    byte[] toBytes() {
        for (int i = 0; i < fixupCount; i += 2) {
            int at = fixups[i];
            int target = labelAt[fixups[i + 1]];
            if (target < 0) {
                throw new IllegalStateException("unplaced label");
            }
            int delta = target - at;
            if (delta != (short) delta) {
                throw new IllegalStateException("branch too far");
            }
            code[at + 1] = (byte) (delta >>> 8);
            code[at + 2] = (byte) delta;
        }
        return Arrays.copyOf(code, length);
    }
}
