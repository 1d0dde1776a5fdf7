"""Application drafts: a resident's answers to a service's form, kept on the server so they follow the person
from device to device, merged field by field when two devices edit at once."""
