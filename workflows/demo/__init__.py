"""The demo company: its people (directory.yaml) and a deterministic CRM data set."""
