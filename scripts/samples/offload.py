#!/usr/bin/env python3
"""Turn a network device's offloads off without ethtool(8), through the same ioctl (SIOCETHTOOL).

  offload.py DEV    # in the device's namespace: tx/rx checksum offload, scatter-gather, TSO, GSO, GRO off

Transmit checksum offload leaves the TCP checksum of every captured outgoing segment unfinished
(a capture on the sending host then shows bad checksums); segmentation offloads hand the capture
segments larger than the MTU. Used by scripts/make-samples.sh when ethtool is not installed.
Python 3 stdlib only; a setting the driver refuses is reported and skipped.
"""
import array
import fcntl
import socket
import struct
import sys

SIOCETHTOOL = 0x8946
# Legacy ethtool commands (linux/ethtool.h), each taking a struct ethtool_value {u32 cmd, u32 data}.
SETTINGS = [("rx", 0x15), ("tx", 0x17), ("sg", 0x19), ("tso", 0x1F), ("gso", 0x24), ("gro", 0x2C)]


def main():
    dev = sys.argv[1]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    failed = 0
    for name, cmd in SETTINGS:
        value = array.array("B", struct.pack("II", cmd, 0))
        addr, _ = value.buffer_info()
        # struct ifreq: the 16-byte name, then the union (ifr_data, a pointer); 40 bytes in all.
        ifreq = struct.pack("16sP", dev.encode(), addr).ljust(40, b"\0")
        try:
            fcntl.ioctl(s.fileno(), SIOCETHTOOL, ifreq)
        except OSError as e:
            print(f"offload.py: {dev}: {name} off: {e}", file=sys.stderr)
            failed += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
