package dev.rewind.emulator;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Writes one JVM class file (JVMS 17 ch. 4) with a constant pool, no fields and a few methods,
 * enough for {@link BlockTranslator}. Version 49 class files are checked by the type-inferring
 * verifier, so no StackMapTable is needed.
 */
final class ClassFileWriter {
    private static final int VERSION = 49;

    private final ByteArrayOutputStream pool = new ByteArrayOutputStream();
    private final DataOutputStream poolOut = new DataOutputStream(pool);
    private int poolCount = 1;
    /** Constant key -> index, so each constant is written once. */
    private final TreeMap<String, Integer> constants = new TreeMap<>();
    private final List<byte[]> methods = new ArrayList<>();

    private int constant(String key, int tag, byte[] body, int slots) {
        Integer known = constants.get(key);
        if (known != null) {
            return known;
        }
        int index = poolCount;
        pool.write(tag);
        pool.write(body, 0, body.length);
        poolCount += slots;
        constants.put(key, index);
        return index;
    }

    private static byte[] u2u2(int a, int b) {
        return new byte[] {(byte) (a >>> 8), (byte) a, (byte) (b >>> 8), (byte) b};
    }

    int utf8(String s) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            new DataOutputStream(b).writeUTF(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return constant("U" + s, 1, b.toByteArray(), 1);
    }

    int classRef(String internalName) {
        int name = utf8(internalName);
        return constant("C" + internalName, 7, new byte[] {(byte) (name >>> 8), (byte) name}, 1);
    }

    private int nameAndType(String name, String descriptor) {
        int n = utf8(name);
        int d = utf8(descriptor);
        return constant("N" + name + ":" + descriptor, 12, u2u2(n, d), 1);
    }

    int fieldRef(String owner, String name, String descriptor) {
        int c = classRef(owner);
        int nt = nameAndType(name, descriptor);
        return constant("F" + owner + "." + name + ":" + descriptor, 9, u2u2(c, nt), 1);
    }

    int methodRef(String owner, String name, String descriptor) {
        int c = classRef(owner);
        int nt = nameAndType(name, descriptor);
        return constant("M" + owner + "." + name + ":" + descriptor, 10, u2u2(c, nt), 1);
    }

    int intConstant(int v) {
        return constant("I" + v, 3, new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v}, 1);
    }

    int longConstant(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (56 - 8 * i));
        }
        return constant("J" + v, 5, b, 2);
    }

    /** Adds a method with a Code attribute (no exception table). */
    void method(int access, String name, String descriptor, int maxStack, int maxLocals, byte[] code) {
        int nameIndex = utf8(name);
        int descIndex = utf8(descriptor);
        int codeName = utf8("Code");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        try {
            out.writeShort(access);
            out.writeShort(nameIndex);
            out.writeShort(descIndex);
            out.writeShort(1);
            out.writeShort(codeName);
            out.writeInt(12 + code.length);
            out.writeShort(maxStack);
            out.writeShort(maxLocals);
            out.writeInt(code.length);
            out.write(code);
            out.writeShort(0); // exception table
            out.writeShort(0); // attributes
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        methods.add(b.toByteArray());
    }

    byte[] toBytes(int access, String thisClass, String superClass) {
        int self = classRef(thisClass);
        int sup = classRef(superClass);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        try {
            out.writeInt(0xCAFEBABE);
            out.writeShort(0);
            out.writeShort(VERSION);
            out.writeShort(poolCount);
            poolOut.flush();
            pool.writeTo(out);
            out.writeShort(access);
            out.writeShort(self);
            out.writeShort(sup);
            out.writeShort(0); // interfaces
            out.writeShort(0); // fields
            out.writeShort(methods.size());
            for (byte[] m : methods) {
                out.write(m);
            }
            out.writeShort(0); // attributes
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toByteArray();
    }
}
