package dev.rewind.debug.core.svd;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParserFactory;

import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.Locator;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * An XML element with the line it starts on, read with the JDK's SAX parser (a DOM keeps no
 * line numbers, and SVD problems must name their line). External entities and DTDs are refused.
 */
final class SvdElement {

    final String name;
    final int line;
    final Map<String, String> attributes = new TreeMap<>();
    final List<SvdElement> children = new ArrayList<>();
    final StringBuilder text = new StringBuilder();

    private SvdElement(String name, int line) {
        this.name = name;
        this.line = line;
    }

    /** The trimmed text content. */
    String text() {
        return text.toString().strip();
    }

    /** The first child called {@code n}, or null. */
    SvdElement child(String n) {
        for (SvdElement c : children) {
            if (c.name.equals(n)) {
                return c;
            }
        }
        return null;
    }

    /** The text of the first child called {@code n}, or null. */
    String childText(String n) {
        SvdElement c = child(n);
        return c == null ? null : c.text();
    }

    List<SvdElement> children(String n) {
        List<SvdElement> out = new ArrayList<>();
        for (SvdElement c : children) {
            if (c.name.equals(n)) {
                out.add(c);
            }
        }
        return out;
    }

    /** Parses a whole document; malformed XML becomes an {@link SvdException} with its line. */
    static SvdElement parse(InputStream in, String source) throws IOException, SvdException {
        try {
            SAXParserFactory f = SAXParserFactory.newInstance();
            f.setNamespaceAware(false);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            Builder b = new Builder();
            InputSource is = new InputSource(in);
            is.setSystemId(source);
            f.newSAXParser().parse(is, b);
            if (b.root == null) {
                throw new SvdException(source, 1, "the file holds no XML element");
            }
            return b.root;
        } catch (org.xml.sax.SAXParseException e) {
            throw new SvdException(source, Math.max(1, e.getLineNumber()), "not well-formed XML: " + e.getMessage());
        } catch (SAXException | ParserConfigurationException e) {
            throw new SvdException(source, 1, "cannot read XML: " + e.getMessage());
        }
    }

    private static final class Builder extends DefaultHandler {
        private final Deque<SvdElement> open = new ArrayDeque<>();
        private Locator locator;
        SvdElement root;

        @Override
        public void setDocumentLocator(Locator l) {
            this.locator = l;
        }

        @Override
        public void startElement(String uri, String localName, String qName, Attributes atts) {
            SvdElement e = new SvdElement(qName, locator == null ? 0 : locator.getLineNumber());
            for (int i = 0; i < atts.getLength(); i++) {
                e.attributes.put(atts.getQName(i), atts.getValue(i));
            }
            if (open.isEmpty()) {
                root = e;
            } else {
                open.peek().children.add(e);
            }
            open.push(e);
        }

        @Override
        public void endElement(String uri, String localName, String qName) {
            open.pop();
        }

        @Override
        public void characters(char[] ch, int start, int length) {
            if (!open.isEmpty()) {
                open.peek().text.append(ch, start, length);
            }
        }
    }
}
