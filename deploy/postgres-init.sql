-- Rasa's tracker store lives in its own database next to the work orders.
CREATE DATABASE rasa OWNER hotline;
