"""The CRM domain: data, service tasks and forms for the processes in bpmn/."""
