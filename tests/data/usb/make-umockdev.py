#!/usr/bin/env python3
"""Writes the hand-made umockdev device descriptions used by the usb_* tests.

Each file describes one USB device as the kernel shows it in sysfs: the USB
device (with its raw descriptors, which libusb reads), its HID interface, the
HID device bound to a driver, the input device with its capability bitmaps
(which the agent's classifier reads) and the event node. Run it again after
changing a device here; the .umockdev files are committed so the tests do not
need Python. Ids not in firmware-notes/touch-devices.tsv are made up on purpose
(2f1a:0101 stands for a brand nobody has added yet).
"""
import sys

# Capability bitmaps as sysfs prints them (64-bit words, highest first).
TOUCH_MT = dict(ev="b", key="400 0 0 0 0 0", abs="260800000000003", rel="0", msc="0",
                properties="2")
MOUSE = dict(ev="17", key="70000 0 0 0 0", abs="0", rel="103", msc="10", properties="0")
KEYBOARD = dict(ev="120013", key="ffffffffffffffff fffffffffffffffe", abs="0", rel="0",
                msc="10", properties="0")


def usb_descriptors(vid, pid, protocol, subclass):
    dev = bytes([18, 1, 0x00, 0x02, 0, 0, 0, 64, vid & 0xff, vid >> 8, pid & 0xff, pid >> 8,
                 0x00, 0x01, 1, 2, 0, 1])
    total = 9 + 9 + 9 + 7
    cfg = bytes([9, 2, total, 0, 1, 1, 0, 0xa0, 50])
    itf = bytes([9, 4, 0, 0, 1, 3, subclass, protocol, 0])
    hid = bytes([9, 0x21, 0x11, 0x01, 0, 1, 0x22, 0x40, 0])
    ep = bytes([7, 5, 0x81, 3, 64, 0, 10])
    return (dev + cfg + itf + hid + ep).hex().upper()


def device(out, *, port, busnum, devnum, vid, pid, maker, product, hid_driver, protocol,
           subclass, caps, event, input_no, hid_no, udev_class):
    usb = f"/devices/pci0000:00/0000:00:14.0/usb{busnum}/{port}"
    itf = f"{usb}/{port}:1.0"
    hidp = f"{itf}/0003:{vid:04X}:{pid:04X}.{hid_no:04X}"
    inp = f"{hidp}/input/input{input_no}"
    ev = f"{inp}/event{event}"
    desc = usb_descriptors(vid, pid, protocol, subclass)
    w = out.write
    w(f"P: {usb}\nN: bus/usb/{busnum:03d}/{devnum:03d}={desc}\n")
    w(f"E: DEVNAME=/dev/bus/usb/{busnum:03d}/{devnum:03d}\nE: DEVTYPE=usb_device\n"
      f"E: DRIVER=usb\nE: PRODUCT={vid:x}/{pid:x}/100\nE: TYPE=0/0/0\n"
      f"E: BUSNUM={busnum:03d}\nE: DEVNUM={devnum:03d}\nE: MAJOR=189\n"
      f"E: MINOR={(busnum - 1) * 128 + devnum - 1}\nE: SUBSYSTEM=usb\n"
      f"E: ID_VENDOR_ID={vid:04x}\nE: ID_MODEL_ID={pid:04x}\n")
    w(f"A: bConfigurationValue=1\nA: bDeviceClass=00\nA: bNumConfigurations=1\n"
      f"A: bNumInterfaces= 1\nA: busnum={busnum}\nA: devnum={devnum}\n"
      f"A: dev=189:{(busnum - 1) * 128 + devnum - 1}\n"
      f"A: idProduct={pid:04x}\nA: idVendor={vid:04x}\nA: manufacturer={maker}\n"
      f"A: product={product}\nA: speed=12\nA: devpath={port.split('-', 1)[1]}\n")
    w(f"H: descriptors={desc}\n\n")
    w(f"P: {itf}\nE: DEVTYPE=usb_interface\nE: DRIVER=usbhid\nE: SUBSYSTEM=usb\n"
      f"E: INTERFACE=3/{subclass}/{protocol}\n"
      f"A: bInterfaceClass=03\nA: bInterfaceNumber=00\nA: bInterfaceProtocol={protocol:02x}\n"
      f"A: bInterfaceSubClass={subclass:02x}\nA: bNumEndpoints=01\n"
      f"L: driver=../../../../../../bus/usb/drivers/usbhid\n\n")
    w(f"P: {hidp}\nE: DRIVER={hid_driver}\nE: HID_ID=0003:{vid:08X}:{pid:08X}\n"
      f"E: HID_NAME={maker} {product}\nE: SUBSYSTEM=hid\n"
      f"L: driver=../../../../../../../bus/hid/drivers/{hid_driver}\n\n")
    name = f"{maker} {product}"
    w(f"P: {inp}\nE: NAME=\"{name}\"\nE: PRODUCT=3/{vid:x}/{pid:x}/110\n"
      f"E: SUBSYSTEM=input\nE: ID_INPUT=1\nE: {udev_class}=1\n")
    w(f"A: name={name}\nA: phys=usb-0000:00:14.0-{port.split('-', 1)[1]}/input0\n"
      f"A: uniq=\nA: properties={caps['properties']}\n"
      f"A: id/bustype=0003\nA: id/vendor={vid:04x}\nA: id/product={pid:04x}\n"
      f"A: id/version=0110\n")
    for k in ("ev", "key", "abs", "rel", "msc"):
        w(f"A: capabilities/{k}={caps[k]}\n")
    w("A: capabilities/sw=0\nA: capabilities/led=0\nA: capabilities/ff=0\n"
      "A: capabilities/snd=0\n")
    w(f"L: device=../../../0003:{vid:04X}:{pid:04X}.{hid_no:04X}\n\n")
    w(f"P: {ev}\nN: input/event{event}\nE: DEVNAME=/dev/input/event{event}\n"
      f"E: MAJOR=13\nE: MINOR={64 + event}\nE: SUBSYSTEM=input\nE: ID_INPUT=1\n"
      f"E: {udev_class}=1\nA: dev=13:{64 + event}\nL: device=../../input{input_no}\n")


DEVICES = {
    "irtouch-frame": dict(port="1-2", busnum=1, devnum=3, vid=0x6615, pid=0x0070,
                          maker="IRTOUCH", product="Infrared Touch", hid_driver="hid-multitouch",
                          protocol=0, subclass=0, caps=TOUCH_MT, event=5, input_no=5, hid_no=1,
                          udev_class="ID_INPUT_TOUCHSCREEN"),
    "ilitek-panel": dict(port="1-3", busnum=1, devnum=4, vid=0x222a, pid=0x0001,
                         maker="ILITEK", product="Multi-Touch-V5100", hid_driver="hid-multitouch",
                         protocol=0, subclass=0, caps=TOUCH_MT, event=6, input_no=6, hid_no=2,
                         udev_class="ID_INPUT_TOUCHSCREEN"),
    "unknown-touch": dict(port="1-4", busnum=1, devnum=5, vid=0x2f1a, pid=0x0101,
                          maker="NewBrand", product="Touch Panel", hid_driver="hid-multitouch",
                          protocol=0, subclass=0, caps=TOUCH_MT, event=7, input_no=7, hid_no=3,
                          udev_class="ID_INPUT_TOUCHSCREEN"),
    "mouse": dict(port="1-5", busnum=1, devnum=6, vid=0x046d, pid=0xc077,
                  maker="Logitech", product="USB Optical Mouse", hid_driver="hid-generic",
                  protocol=2, subclass=1, caps=MOUSE, event=8, input_no=8, hid_no=4,
                  udev_class="ID_INPUT_MOUSE"),
    "keyboard": dict(port="1-6", busnum=1, devnum=7, vid=0x413c, pid=0x2113,
                     maker="Dell", product="KB216 Wired Keyboard", hid_driver="hid-generic",
                     protocol=1, subclass=1, caps=KEYBOARD, event=9, input_no=9, hid_no=5,
                     udev_class="ID_INPUT_KEYBOARD"),
}

if __name__ == "__main__":
    outdir = sys.argv[1] if len(sys.argv) > 1 else "."
    for fname, d in DEVICES.items():
        with open(f"{outdir}/{fname}.umockdev", "w") as f:
            device(f, **d)
