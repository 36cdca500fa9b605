-- One database per service, as each service owns its tables (run once, on an empty data volume).
CREATE DATABASE member_service;
CREATE DATABASE loyalty_service;
CREATE DATABASE campaign_service;
CREATE DATABASE analytics_service;
