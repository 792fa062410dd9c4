package org.herd.stream.geo;

/**
 * Occupied cells by key: open addressing over an int array (no boxed keys, no entry objects),
 * linear probing, grown at half full, deletion by moving later entries of the run back.
 */
final class CellMap {
    static final int FREE = -1; // cell keys are >= 0
    int[] keys = newKeys(16);
    GridCell[] values = new GridCell[16];
    int size;

    static int[] newKeys(int n) {
        int[] k = new int[n];
        java.util.Arrays.fill(k, FREE);
        return k;
    }

    private int slot(int key) {
        return (key * 0x9E3779B9 >>> 1) & (keys.length - 1);
    }

    int size() {
        return size;
    }

    GridCell get(int key) {
        for (int i = slot(key); ; i = (i + 1) & (keys.length - 1)) {
            if (keys[i] == key) {
                return values[i];
            }
            if (keys[i] == FREE) {
                return null;
            }
        }
    }

    GridCell getOrAdd(int key) {
        if (size * 2 >= keys.length) {
            grow();
        }
        int i = slot(key);
        for (; keys[i] != FREE; i = (i + 1) & (keys.length - 1)) {
            if (keys[i] == key) {
                return values[i];
            }
        }
        keys[i] = key;
        values[i] = new GridCell();
        size++;
        return values[i];
    }

    void remove(int key) {
        int mask = keys.length - 1;
        int i = slot(key);
        while (keys[i] != key) {
            if (keys[i] == FREE) {
                return;
            }
            i = (i + 1) & mask;
        }
        keys[i] = FREE;
        values[i] = null;
        size--;
        // move back the entries after it in its run that would no longer be found
        for (int j = (i + 1) & mask; keys[j] != FREE; j = (j + 1) & mask) {
            int home = slot(keys[j]);
            boolean reachable = i <= j ? (home > i && home <= j) : (home > i || home <= j);
            if (!reachable) {
                keys[i] = keys[j];
                values[i] = values[j];
                keys[j] = FREE;
                values[j] = null;
                i = j;
            }
        }
    }

    private void grow() {
        int[] oldKeys = keys;
        GridCell[] oldValues = values;
        keys = newKeys(oldKeys.length * 2);
        values = new GridCell[oldKeys.length * 2];
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != FREE) {
                int j = slot(oldKeys[i]);
                while (keys[j] != FREE) {
                    j = (j + 1) & (keys.length - 1);
                }
                keys[j] = oldKeys[i];
                values[j] = oldValues[i];
            }
        }
    }
}
