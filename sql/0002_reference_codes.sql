-- Reference codes of DESIGN.md: 13 outlet kinds and 28 business types. Codes are a stable contract:
-- new ones may be added by a later migration, none renamed.
CREATE TABLE outlet_kinds (
    code    text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]*$'),
    name_zh text NOT NULL CHECK (btrim(name_zh) <> ''),
    name_en text NOT NULL CHECK (btrim(name_en) <> '')
);

CREATE TABLE business_types (
    code     text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]*$'),
    name_zh  text NOT NULL CHECK (btrim(name_zh) <> ''),
    name_en  text NOT NULL CHECK (btrim(name_en) <> ''),
    category text NOT NULL CHECK (category IN ('vehicle', 'inspection', 'driver', 'ebike', 'violation', 'other')),
    position integer NOT NULL UNIQUE
);

INSERT INTO outlet_kinds (code, name_zh, name_en) VALUES
    ('vehicle_admin_office', '车管所', 'Vehicle administration office'),
    ('branch_office', '车管分所', 'Branch office'),
    ('self_service_office', '自助车管所', '24-hour self-service office'),
    ('self_service_kiosk', '自助一体机', 'Self-service kiosk'),
    ('police_post_point', '警邮服务站', 'Police-post service point'),
    ('police_station_window', '派出所/公安服务中心窗口', 'Police station / public-security service window'),
    ('government_service_window', '政务服务中心窗口', 'Government service centre window'),
    ('inspection_station', '机动车检测站', 'Motor-vehicle inspection station'),
    ('exam_field', '驾驶人考场', 'Driving-test exam field'),
    ('medical_clinic', '驾驶人体检点', 'Driver medical-check clinic'),
    ('ebike_plate_point', '电动自行车上牌点', 'E-bike plate point'),
    ('registration_station', '机动车登记服务站', 'Vehicle registration service station'),
    ('mobile_office', '流动车管所', 'Mobile office');

INSERT INTO business_types (code, name_zh, name_en, category, position) VALUES
    ('vehicle_registration', '注册登记', 'Vehicle registration', 'vehicle', 0),
    ('vehicle_transfer', '转移登记', 'Transfer of ownership', 'vehicle', 1),
    ('vehicle_change', '变更登记', 'Change of registration', 'vehicle', 2),
    ('vehicle_mortgage', '抵押/解除抵押', 'Mortgage and release', 'vehicle', 3),
    ('vehicle_deregistration', '注销登记', 'Deregistration', 'vehicle', 4),
    ('vehicle_transfer_in', '转入/转籍', 'Transfer in from another city', 'vehicle', 5),
    ('plate_replacement', '补换领号牌', 'Plate replacement', 'vehicle', 6),
    ('permit_replacement', '补换领行驶证', 'Driving permit replacement', 'vehicle', 7),
    ('certificate_replacement', '补领登记证书', 'Registration certificate replacement', 'vehicle', 8),
    ('temporary_plate', '临时号牌', 'Temporary plate', 'vehicle', 9),
    ('vehicle_inspection', '机动车安全技术检验', 'Periodic safety inspection', 'inspection', 10),
    ('inspection_sticker', '检验合格标志', 'Inspection sticker', 'inspection', 11),
    ('license_application', '驾驶证申领', 'Driving licence application', 'driver', 12),
    ('exam_subject1', '科目一', 'Exam subject 1 (theory)', 'driver', 13),
    ('exam_subject2', '科目二', 'Exam subject 2 (course)', 'driver', 14),
    ('exam_subject3', '科目三', 'Exam subject 3 (road)', 'driver', 15),
    ('exam_subject4', '科目四', 'Exam subject 4 (safety)', 'driver', 16),
    ('license_renewal', '期满换证', 'Licence renewal at expiry', 'driver', 17),
    ('license_replacement', '遗失/损毁补换证', 'Licence replacement (lost or damaged)', 'driver', 18),
    ('license_transfer_in', '转入换证', 'Licence transfer-in', 'driver', 19),
    ('military_license_exchange', '军队驾驶证换领', 'Military licence exchange', 'driver', 20),
    ('license_review', '审验', 'Licence review', 'driver', 21),
    ('medical_certificate_submission', '提交身体条件证明', 'Medical certificate submission', 'driver', 22),
    ('medical_check', '驾驶人体检', 'Driver medical check', 'driver', 23),
    ('ebike_registration', '电动自行车登记上牌', 'E-bike registration and plates', 'ebike', 24),
    ('violation_handling', '违法处理', 'Traffic violation handling', 'violation', 25),
    ('fine_payment', '罚款缴纳', 'Fine payment', 'violation', 26),
    ('document_photo', '证件照', 'Document photo', 'other', 27);
